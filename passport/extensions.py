"""Flask extensions, created here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

# Rate limits (in-memory per process by default; PASSPORT_RATELIMIT_STORAGE_URI for a shared
# store). Only routes that ask for a limit have one.
from flask_limiter import Limiter  # noqa: E402
from flask_limiter.util import get_remote_address  # noqa: E402

limiter = Limiter(key_func=get_remote_address, default_limits=[])
