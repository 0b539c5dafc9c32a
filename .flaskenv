# Read by the flask command (python-dotenv): which app to load. Settings go in .env (not committed).
FLASK_APP=wsgi
