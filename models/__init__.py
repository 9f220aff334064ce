"""The domain model. Importing this package registers every mapped class."""
from .base import db  # noqa: F401
from . import places, orgs, users, contracts  # noqa: F401
from . import governance, service, cases, fees, renovation, documents, audit  # noqa: F401
from . import tallies  # noqa: F401  (keeps the monthly tallies with every write)
from .scoping import visible_to  # noqa: F401
