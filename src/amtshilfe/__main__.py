from amtshilfe.cli import main

main()
