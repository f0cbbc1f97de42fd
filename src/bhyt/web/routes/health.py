from fastapi import APIRouter
from sqlalchemy import text

from fastapi import Request

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> dict:
    """For load balancers and `make run`'s wait: the database answers."""
    with request.app.state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}
