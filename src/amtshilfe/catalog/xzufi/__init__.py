"""XZuFi 2.2 import and export of the service catalogue (amtshilfe's subset; see schema/README.md).

``reader`` parses and validates a transfer message without touching the database,
``importer`` applies it in one transaction, ``exporter`` writes the catalogue as XML or JSON.
"""
