"""The app as gunicorn serves it for the load test (configuration from the environment)."""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

from app import serve  # noqa: E402

app = serve({
    "SECRET_KEY": os.environ["SECRET_KEY"],
    "SQLALCHEMY_DATABASE_URI": os.environ["LOAD_DATABASE_URL"],
    # Plain http on loopback; each client signs in once, so the limiter stays in its defaults.
    "SECURE_COOKIES": False,
})
