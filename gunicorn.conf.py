"""Read by gunicorn when it starts from the project's root (`manage.py serve` does)."""

# The access log writes each request line with its query string: mask IINs in it.
logger_class = "qyzmet.core.access_log.RedactingLogger"
