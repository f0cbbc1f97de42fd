"""The app object uvicorn serves (`bhyt serve`), over the database `BHYT_DATABASE_URL` names."""

from bhyt.web.app import create_app

app = create_app(warm_up=True)
