"""The assessors' pages (giám định): the findings of the claims assessment summed per facility and rule
for a period, the findings listed, one claim with its lines and findings and the form that decides on
each, and the files `bhyt claims assess` and `bhyt claims rejections` write. An account sees the claims
of its province's facilities only; deciding uses the same function as `bhyt claims decide`. Every claim
opened, decision taken and file given out is written to the audit log."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from bhyt.claims.assessment import Scope, period_text
from bhyt.claims.decisions import DECISIONS_VI, REJECT, DecisionRefused, record_decision
from bhyt.masking import mask
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import csrf_checked, require
from bhyt.web.claims_views import (
    DECIDED,
    PENDING,
    ClaimRecord,
    ClaimsQuery,
    assessment_of,
    catalogue,
    chosen,
    claim_record,
    claims_query,
    findings_file,
    reach_of,
    rejections_file,
    summary,
)
from bhyt.web.i18n import N_, gettext
from bhyt.web.routes import NavItem
from bhyt.web.scope import OutOfScope
from bhyt.web.templating import render
from bhyt.web.worklist_views import XLSX, QueryError, client_host, no_store

router = APIRouter(include_in_schema=False)
NAV = [NavItem(40, N_("Giám định"), "/claims", "view_claims")]

PAGE_SIZE = 100
STATUS_LABELS = {DECIDED: N_("Đã quyết định"), PENDING: N_("Chưa quyết định")}
# catalogue.SEVERITIES and decisions.DECISIONS_VI, marked for the English catalogue.
SEVERITY_LABELS = {"cao": N_("Cao"), "trung_binh": N_("Trung bình"), "thap": N_("Thấp")}
DECISION_LABELS = {"accept": N_("Xác nhận (từ chối thanh toán)"), "reject": N_("Bác bỏ cảnh báo")}
# What parse_date calls the period's fields in a message.
DATE_FIELDS = (N_("Từ ngày"), N_("Đến ngày"))


def _query(request: Request, account: Account, first: str, last: str, facility: str, rule: str = "",
           severity: str = "", status: str = "") -> ClaimsQuery:
    return claims_query(request.app.state.engine, account, first, last, facility, rule, severity, status)


def _assessed(request: Request, query: ClaimsQuery, rule_ids: list[str] | None = None):
    return assessment_of(request.app.state.engine, request.app.state.analytics, query.scope, rule_ids)


def _entered(first: str = Query("", alias="from"), last: str = Query("", alias="to"), facility: str = Query(""),
             rule: str = Query(""), severity: str = Query(""), status: str = Query("")) -> dict[str, str]:
    """The filters as typed: the summary's and the findings' pages take the same."""
    return {"from": first, "to": last, "facility": facility, "rule": rule, "severity": severity, "status": status}


def _filtered_page(request: Request, account: Account, entered: dict[str, str], template: str, content):
    """The page of `template` for the filters: the findings they keep, and what `content(assessment, findings)`
    adds; with filters no assessment can be made of, the form with the reason."""
    shown = {"entered": entered, "rules": catalogue(), "severities": SEVERITY_LABELS, "statuses": STATUS_LABELS}
    try:
        query = _query(request, account, entered["from"], entered["to"], entered["facility"], entered["rule"],
                       entered["severity"], entered["status"])
        assessment = _assessed(request, query)
    except QueryError as error:
        return render(request, template, status_code=400, error=str(error), query=None, params={}, province=None,
                      **shown)
    findings = chosen(query, assessment.findings)
    return render(request, template, query=query, error=None, assessment=assessment, total=len(findings),
                  period=period_text(query.first, query.last), params=query.params(),
                  province=query.reach.province, **shown, **content(assessment, findings))


@router.get("/claims")
def summary_page(request: Request, entered: dict = Depends(_entered),
                 account: Account = Depends(require("view_claims"))):
    def content(assessment, findings) -> dict:
        rows = summary(assessment.rules, findings)
        return {"rows": rows, "facilities": sorted({row.facility for row in rows}),
                "amount": sum(row.amount_at_risk for row in rows)}

    return _filtered_page(request, account, entered, "claims/index.html", content)


@router.get("/claims/findings")
def findings_page(request: Request, entered: dict = Depends(_entered), page: int = Query(1),
                  account: Account = Depends(require("view_claims"))):
    def content(assessment, findings) -> dict:
        pages = max(1, -(-len(findings) // PAGE_SIZE))
        number = min(max(page, 1), pages)
        return {"shown": findings[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], "page": number, "pages": pages,
                "rules_by_id": {rule.id: rule for rule in assessment.rules}, "decisions": DECISION_LABELS}

    return _filtered_page(request, account, entered, "claims/findings.html", content)


def _where(facility: str = Query(""), month: str = Query("")) -> dict[str, str]:
    """Where the link to a claim says it is (its facility and settlement month): only where to look first."""
    return {"facility": facility.strip(), "month": month.strip()}


def _link(episode: dict, **params: str) -> str:
    """The claim page's address, with where the claim is."""
    return f"/claims/claim/{quote(episode['ma_lk'], safe='')}?" + urlencode(
        {"facility": episode["facility"], "month": episode["month"], **params})


def _claim(request: Request, account: Account, ma_lk: str, where: dict[str, str]) -> ClaimRecord:
    """The claim, if it is in the lake (404) and of a facility of the account's province (OutOfScope)."""
    reach = reach_of(request.app.state.engine, account)
    try:
        claim = claim_record(ma_lk, where["facility"] or None, where["month"] or None, reach.prefixes)
    except QueryError as problem:
        raise HTTPException(400, str(problem)) from None
    if claim is None:
        raise HTTPException(404, gettext("Không có hồ sơ MA_LK %(ma_lk)s trong kho.") % {"ma_lk": ma_lk})
    if not reach.covers(claim.episode["facility"]):
        raise OutOfScope(claim.episode["facility"])
    return claim


def _claim_page(request: Request, account: Account, ma_lk: str, where: dict[str, str], status_code: int = 200,
                error: str | None = None, notice: str | None = None, entered: dict | None = None):
    engine = request.app.state.engine
    claim = _claim(request, account, ma_lk, where)
    facility = claim.episode["facility"]
    findings = assessment_of(engine, request.app.state.analytics, Scope(ma_lk=ma_lk, facility=facility)).findings
    rules = {rule.id: rule for rule in catalogue()}
    # The page names the patient: who opened it is written down.
    record(engine, account.username, "view_claim", subject=f"claim {ma_lk}",
           detail={"facility": facility, "findings": len(findings)}, client=client_host(request))
    return no_store(render(request, "claims/claim.html", status_code=status_code, claim=claim, episode=claim.episode,
                           findings=findings, rules=rules, mask=mask, decisions=DECISION_LABELS, error=error,
                           notice=notice, entered=entered or {}, severities=SEVERITY_LABELS))


@router.get("/claims/claim/{ma_lk}")
def claim_page(request: Request, ma_lk: str, decided: str = Query(""), where: dict = Depends(_where),
               account: Account = Depends(require("view_claims"))):
    notice = gettext("Đã ghi quyết định về cảnh báo %(rule)s.") % {"rule": decided} if decided else None
    return _claim_page(request, account, ma_lk, where, notice=notice)


@router.post("/claims/claim/{ma_lk}/decide", dependencies=[Depends(csrf_checked)])
def decide(request: Request, ma_lk: str, rule_id: str = Form(...), decision: str = Form(""), reason: str = Form(""),
           where: dict = Depends(_where), account: Account = Depends(require("decide_claims"))):
    engine = request.app.state.engine
    entered = {"rule_id": rule_id, "decision": decision, "reason": reason}
    claim = _claim(request, account, ma_lk, where)
    # Found: the pages shown from here on look in its partition first, whatever the link said.
    where = {"facility": claim.episode["facility"], "month": claim.episode["month"]}
    scope = Scope(ma_lk=ma_lk, facility=claim.episode["facility"])
    found = [f for f in assessment_of(engine, request.app.state.analytics, scope).findings if f.rule_id == rule_id]
    if not found:
        return _claim_page(request, account, ma_lk, where, status_code=400, entered=entered, error=gettext(
            "Hồ sơ %(ma_lk)s không có cảnh báo %(rule)s.") % {"ma_lk": ma_lk, "rule": rule_id})
    if decision not in DECISIONS_VI:
        return _claim_page(request, account, ma_lk, where, status_code=400, entered=entered,
                           error=gettext("Hãy chọn xác nhận hoặc bác bỏ cảnh báo."))
    if decision == REJECT and not reason.strip():
        return _claim_page(request, account, ma_lk, where, status_code=400, entered=entered,
                           error=gettext("Bác bỏ cảnh báo cần ghi lý do."))
    try:
        record_decision(engine, ma_lk, rule_id, decision, reason, account.username)
    except DecisionRefused as error:
        return _claim_page(request, account, ma_lk, where, status_code=400, entered=entered, error=str(error))
    record(engine, account.username, "decide_claim", subject=f"claim {ma_lk}",
           detail={"rule": rule_id, "decision": decision, "reason": reason.strip() or None,
                   "amount": sum(f.amount_at_risk for f in found)}, client=client_host(request))
    return RedirectResponse(_link(claim.episode, decided=rule_id), status_code=303)


def _file(request: Request, account: Account, content: bytes, filename: str, detail: dict) -> Response:
    record(request.app.state.engine, account.username, "export_claims", subject=filename, detail=detail,
           client=client_host(request))
    return no_store(Response(content, media_type=XLSX,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'}))


@router.get("/claims/export")
def export_findings(request: Request, first: str = Query("", alias="from"), last: str = Query("", alias="to"),
                    facility: str = Query(""), rule: str = Query(""),
                    account: Account = Depends(require("view_claims"))):
    """`bhyt claims assess --format xlsx` for the same period, facility and rule, within the account's province."""
    try:
        query = _query(request, account, first, last, facility, rule)
        assessment = _assessed(request, query, [query.rule] if query.rule else None)
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    content = findings_file(assessment, period_text(query.first, query.last))
    stem = "-".join(["giam-dinh", *query.params().values()])
    return _file(request, account, content, f"{stem}.xlsx",
                 {**query.params(), "findings": len(assessment.findings), "kind": "findings"})


@router.get("/claims/rejections")
def export_rejections(request: Request, facility: str = Query(""), first: str = Query("", alias="from"),
                      last: str = Query("", alias="to"), account: Account = Depends(require("view_claims"))):
    """`bhyt claims rejections --facility F --out FILE.xlsx` for the same period."""
    if not facility.strip():
        raise HTTPException(400, gettext("Hãy chọn cơ sở KCB của danh sách đề nghị từ chối."))
    try:
        query = _query(request, account, first, last, facility)
        assessment = _assessed(request, query)
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    content = rejections_file(assessment, query.facility, period_text(query.first, query.last))
    stem = "-".join(["tu-choi", *query.params().values()])
    return _file(request, account, content, f"{stem}.xlsx", {**query.params(), "kind": "rejections"})

