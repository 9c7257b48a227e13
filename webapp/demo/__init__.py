"""`make demo`: Slotwise with a local Radicale standing in for iCloud, seeded, connected and synced.

Everything lives in a temporary folder (the database, the keys, Radicale's store) that is deleted
when the demo stops; nothing touches the database of `make run`.
"""
