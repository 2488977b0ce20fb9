"""Import every feature's models so metadata (and Alembic) sees the whole schema."""

from accounts import models as accounts_models
from callbacks import models as callbacks_models
from calls import models as calls_models
from cases import models as cases_models
from core.db import Base
from messaging import models as messaging_models
from roster import models as roster_models

__all__ = [
    "Base",
    "accounts_models",
    "callbacks_models",
    "calls_models",
    "cases_models",
    "messaging_models",
    "roster_models",
]
