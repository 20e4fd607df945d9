"""Pages of the chains: overview, map, a link, the three lists and their few forms.

Thin: reads come from chains.selectors, writes go through chains.services, which check the
role rules; a refused or invalid write is shown on the form, never half-saved.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chains import selectors, services
from chains.filters import OpportunityFilter, TargetFilter, TaskForceFilter
from chains.forms import (
    ConvertTargetForm,
    LinkEnterpriseForm,
    OpportunityForm,
    TargetForm,
    add_service_errors,
)
from chains.models import ChainLink, IndustryChain, Opportunity, TargetEnterprise
from org import roles
from org.roles import reader_required

PAGE_SIZE = 50


def _require_maintainer(user) -> None:
    if not roles.can_maintain_shared_lists(user):
        raise PermissionDenied


@reader_required
def overview(request):
    return render(
        request,
        "chains/overview.html",
        {"overview": selectors.chain_overview(), "legend": selectors.legend()},
    )


@reader_required
def chain_map(request, pk):
    try:
        chain_map = selectors.chain_map(chain_id=pk)
    except IndustryChain.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "chains/map.html", {"map": chain_map, "legend": chain_map.legend})


@reader_required
def link(request, pk):
    try:
        detail = selectors.link_detail(link_id=pk)
    except ChainLink.DoesNotExist as missing:
        raise Http404 from missing
    context = {"detail": detail, "can_maintain": roles.can_maintain_shared_lists(request.user)}
    if context["can_maintain"]:
        context["enterprise_form"] = LinkEnterpriseForm()
    return render(request, "chains/link.html", context)


@login_required
@require_POST
def link_add_enterprise(request, pk):
    _require_maintainer(request.user)
    link = get_object_or_404(ChainLink, pk=pk)
    form = LinkEnterpriseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("chains:link", pk=link.pk)
    enterprise = form.cleaned_data["enterprise"]
    link = services.link_add_enterprise(
        user=request.user, link_id=link.pk, enterprise_id=enterprise.pk
    )
    messages.success(
        request,
        _("已将%(e)s记为%(l)s的在链企业，尚缺%(n)s家。")
        % {"e": enterprise, "l": link.name, "n": link.gap_count()},
    )
    return redirect("chains:link", pk=link.pk)


@login_required
@require_POST
def link_remove_enterprise(request, pk, enterprise_pk):
    _require_maintainer(request.user)
    link = get_object_or_404(ChainLink, pk=pk)
    services.link_remove_enterprise(user=request.user, link_id=link.pk, enterprise_id=enterprise_pk)
    messages.success(request, _("已移除该在链企业。"))
    return redirect("chains:link", pk=link.pk)


# --- The three lists ------------------------------------------------------------------------


def _list_context(request, filterset, export_kind):
    """Filter form, the page of rows, and the query strings for paging and the Excel export."""
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    filters = urlencode(
        [(k, v) for k, values in request.GET.lists() if k != "page" for v in values if v]
    )
    return {
        "filter": filterset,
        "page": page,
        "filters": filters,
        "export_url": reverse("ledger:export", args=[export_kind])
        + (f"?{filters}" if filters else ""),
        "can_maintain": roles.can_maintain_shared_lists(request.user),
    }


@reader_required
def opportunities(request):
    filterset = OpportunityFilter(request.GET or None, queryset=selectors.opportunity_list())
    context = _list_context(request, filterset, "opportunities")
    context["totals"] = selectors.opportunity_totals(filterset.qs)
    return render(request, "chains/opportunities.html", context)


@reader_required
def targets(request):
    filterset = TargetFilter(request.GET or None, queryset=selectors.target_list())
    context = _list_context(request, filterset, "targets")
    context["totals"] = selectors.target_totals(filterset.qs)
    return render(request, "chains/targets.html", context)


@reader_required
def taskforces(request):
    filterset = TaskForceFilter(request.GET or None, queryset=selectors.taskforce_list())
    context = _list_context(request, filterset, "taskforces")
    context["totals"] = {"count": context["page"].paginator.count}
    return render(request, "chains/taskforces.html", context)


# --- Forms of the lists -------------------------------------------------------------------


def _edit(request, *, form, save, template, title, done):
    """The one POST recipe of the list forms: validate, call the service, show its refusal on
    the form."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(done(saved))
    return render(request, template, {"form": form, "title": title})


def _link_initial(request):
    link = request.GET.get("chain_link", "")
    return {"chain_link": link} if link.isdigit() else {}


@login_required
def opportunity_create(request):
    _require_maintainer(request.user)
    return _edit(
        request,
        form=OpportunityForm(request.POST or None, initial=_link_initial(request)),
        save=lambda data: services.opportunity_create(user=request.user, **data),
        template="chains/form.html",
        title=_("新增投资机会"),
        done=lambda o: f"{reverse('chains:opportunities')}?chain_link={o.chain_link_id}",
    )


@login_required
def opportunity_edit(request, pk):
    _require_maintainer(request.user)
    opportunity = get_object_or_404(Opportunity, pk=pk)
    return _edit(
        request,
        form=OpportunityForm(request.POST or None, instance=opportunity),
        save=lambda data: services.opportunity_update(
            user=request.user, opportunity_id=opportunity.pk, **data
        ),
        template="chains/form.html",
        title=_("修改投资机会"),
        done=lambda o: f"{reverse('chains:opportunities')}?chain_link={o.chain_link_id}",
    )


@login_required
def target_create(request):
    _require_maintainer(request.user)
    initial = {"officer": request.user.pk if roles.is_officer(request.user) else None}
    initial.update(_link_initial(request))
    return _edit(
        request,
        form=TargetForm(request.POST or None, initial=initial),
        save=lambda data: services.target_create(user=request.user, **data),
        template="chains/form.html",
        title=_("新增目标企业"),
        done=lambda t: f"{reverse('chains:targets')}?chain_link={t.chain_link_id}",
    )


@login_required
def target_edit(request, pk):
    _require_maintainer(request.user)
    target = get_object_or_404(TargetEnterprise, pk=pk)
    return _edit(
        request,
        form=TargetForm(request.POST or None, instance=target),
        save=lambda data: services.target_update(user=request.user, target_id=target.pk, **data),
        template="chains/form.html",
        title=_("修改目标企业"),
        done=lambda t: f"{reverse('chains:targets')}?chain_link={t.chain_link_id}",
    )


@login_required
def target_convert(request, pk):
    """Turn a target enterprise into a project on its link (officers for their unit, admins)."""
    _require_maintainer(request.user)
    target = get_object_or_404(
        TargetEnterprise.objects.select_related("enterprise", "chain_link__chain", "project"),
        pk=pk,
    )
    if target.project_id:
        messages.info(request, _("该目标企业已转为项目。"))
        return redirect("projects:detail", pk=target.project_id)
    form = ConvertTargetForm(
        request.POST or None,
        user=request.user,
        initial={"name": f"{target.enterprise.name}{target.chain_link.name}项目"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.target_convert_to_project(
                user=request.user, target_id=target.pk, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已转为项目：%(p)s（红色，持续跟踪）。") % {"p": project.name}
            )
            return redirect("chains:link", pk=target.chain_link_id)
    return render(request, "chains/convert.html", {"form": form, "target": target})
