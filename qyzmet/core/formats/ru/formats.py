# Russian formats as used on Kazakhstan's portals: Django's, with the grouping switched on.
from django.conf.locale.ru.formats import *  # noqa: F403

NUMBER_GROUPING = 3
