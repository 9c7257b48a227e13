"""The Peewee `DatabaseProxy` every model is bound to (`db.py` wires it to the app's database)."""
from __future__ import annotations

from peewee import DatabaseProxy, Model

database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database
