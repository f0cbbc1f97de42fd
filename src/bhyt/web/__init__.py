"""The web app and API for commune and province officers: FastAPI with server-rendered Jinja2 pages."""
