"""The Typer application that every command module registers itself on."""

from __future__ import annotations

import typer

app = typer.Typer(help="BHYT Toàn Dân: danh sách, thẻ và độ bao phủ bảo hiểm y tế.", no_args_is_help=True)
import_app = typer.Typer(help="Nhập danh sách CSV/XLSX (hộ, nhân khẩu, thẻ, dân số, số liệu tổng hợp).",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")
