"""amtshilfe — the online services of German municipalities, run by the large for the small."""

__version__ = "0.1.0"
