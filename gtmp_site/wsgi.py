import os

from django.core.wsgi import get_wsgi_application

from gtmp_site import setup_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmp_site.settings")
setup_or_exit()
application = get_wsgi_application()
