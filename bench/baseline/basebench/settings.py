"""Bare Django settings: the 'physical limit' anchor. Knobs come from the environment."""
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "baseline-bench-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "basebench.urls"
WSGI_APPLICATION = "basebench.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = ["basebench"]
# BENCH_FULL_MW=1 turns on Django's default middleware stack (needs no extra tables:
# anonymous requests never touch the session store).
MIDDLEWARE = []
if os.environ.get("BENCH_FULL_MW") == "1":
    INSTALLED_APPS += ["django.contrib.contenttypes", "django.contrib.auth",
                       "django.contrib.sessions", "django.contrib.messages"]
    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,  # DEBUG=False => cached loader
    "OPTIONS": {"context_processors": []},
}]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PGDATABASE", "perfbase"),
        "USER": os.environ.get("PGUSER", "perfbase"),
        "PASSWORD": os.environ.get("PGPASSWORD", "perfbase"),
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PGPORT", "5432"),
        # Persistent connections; BENCH_CONN_MAX_AGE=0 shows the cost of one connection per request.
        "CONN_MAX_AGE": int(os.environ.get("BENCH_CONN_MAX_AGE", "600")),
    }
}
