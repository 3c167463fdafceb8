"""Settings (reads, and the writes of plain values) and Status: operation -> behaviour.

The licence writes (activate, deactivate, upload) are not served: they change a licence the
mock does not have, and no client under test calls them. Their 404 says so (``Unmodelled``).
"""

from __future__ import annotations

from typing import Any

from ...core.clock import format_odata_time
from ..exceptions import EntityNotFound, ValidationFailed
from .kinds import Args, Behaviour, call, rows
from .sets import CALENDARS, SETTINGS
from .store import Context, Row

__all__ = ["TABLE"]


def _setting_number(ctx: Context, args: Args) -> int:
    return SETTINGS.number_of(ctx, args.text("key"))


def _put_setting(ctx: Context, args: Args) -> Row:
    body = args.body_object()
    name = args.text("key")
    try:
        number = SETTINGS.number_of(ctx, name)
    except EntityNotFound:
        row = {"Id": name, "Name": name, "Value": body.get("Value"), "Scope": "Tenant"}
        return SETTINGS.create(ctx, row)
    return SETTINGS.update(ctx, number, {"Value": body.get("Value")}, partial=True)


def _update_bulk(ctx: Context, args: Args) -> None:
    settings = args.body_object().get("settings")
    if not isinstance(settings, list):
        raise ValidationFailed("The settings field is required.")
    for entry in settings[:100]:
        if not isinstance(entry, dict) or not isinstance(entry.get("Name"), str):
            raise ValidationFailed("Each setting needs a Name.")
        try:
            number = SETTINGS.number_of(ctx, entry["Name"])
        except EntityNotFound:
            SETTINGS.create(
                ctx,
                {"Id": entry["Name"], "Name": entry["Name"], "Value": entry.get("Value")},
            )
            continue
        SETTINGS.update(ctx, number, {"Value": entry.get("Value")}, partial=True)


def _delete_bulk(ctx: Context, args: Args) -> None:
    names = args.body_object().get("settingNames")
    if not isinstance(names, list):
        raise ValidationFailed("The settingNames field is required.")
    for name in names:
        if isinstance(name, str):
            try:
                SETTINGS.delete(ctx, SETTINGS.number_of(ctx, name))
            except EntityNotFound:
                continue


def _update_user_setting(ctx: Context, args: Args) -> Row:
    setting = args.body_object().get("setting")
    if not isinstance(setting, dict) or not isinstance(setting.get("Name"), str):
        raise ValidationFailed("The setting field is required.")
    return {
        "Id": setting["Name"],
        "Name": setting["Name"],
        "Value": setting.get("Value"),
        "Scope": "User",
    }


def _calendar(ctx: Context, args: Args) -> Row:
    """The tenant's calendar (``GetCalendar``): the first calendar's excluded dates."""
    found = CALENDARS.rows(ctx)
    first = found[0] if found else {"TimeZoneId": "UTC", "ExcludedDates": []}
    return {"TimeZoneId": first.get("TimeZoneId"), "ExcludedDates": first.get("ExcludedDates")}


def _set_calendar(ctx: Context, args: Args) -> None:
    body = args.body_object()
    calendar = body.get("calendar", body)
    dates = calendar.get("ExcludedDates") if isinstance(calendar, dict) else None
    if not isinstance(dates, list):
        raise ValidationFailed("The ExcludedDates field is required.")
    found = CALENDARS.rows(ctx)
    if found:
        CALENDARS.update(ctx, found[0]["Id"], {"ExcludedDates": dates}, partial=True)


def _dictionary(values: dict[str, str]) -> Row:
    return {"Keys": list(values), "Values": list(values.values())}


def _license(ctx: Context, args: Args) -> Row:
    """An Enterprise cloud licence with unattended runtimes to spare [I]."""
    return {
        "Id": 1,
        "HostLicenseId": None,
        "Code": None,
        "SubscriptionCode": None,
        "SubscriptionPlan": "Enterprise",
        "ExpireDate": int(ctx.now) + 365 * 86400,
        "GracePeriodEndDate": None,
        "GracePeriod": None,
        "VersionControl": None,
        "Allowed": {"Unattended": 10, "Attended": 10, "Development": 5, "NonProduction": 2},
        "Used": {"Unattended": len(ctx.backend.robots.robots), "Attended": 0},
        "AttendedConcurrent": False,
        "DevelopmentConcurrent": False,
        "StudioXConcurrent": False,
        "StudioProConcurrent": False,
        "LicensedFeatures": [],
        "IsRegistered": True,
        "IsCommunity": False,
        "IsProOrEnterprise": True,
        "UserLicensingEnabled": True,
        "IsExpired": False,
        "CreationTime": format_odata_time(0.0),
    }


def _execution_settings(ctx: Context, args: Args) -> Row:
    scope = args.text("scope")
    if scope not in ("Global", "Robot"):
        raise ValidationFailed("The scope must be Global or Robot.")
    return {
        "Scope": scope,
        "Configuration": [
            {
                "Key": "LoggingLevel",
                "DisplayName": "Logging Level",
                "ValueType": "MultipleChoice",
                "DefaultValue": "Information",
                "PossibleValues": ["Verbose", "Trace", "Information", "Warning", "Error"],
            }
        ],
    }


def _value_of(ctx: Context, args: Args) -> Any:
    return SETTINGS.get(ctx, _setting_number(ctx, args)).get("Value")


TABLE: dict[str, Behaviour] = {
    "settings_get": rows(SETTINGS),
    "settings_get_by_id": call(_value_of),
    "settings_put_by_id": call(_put_setting),
    "settings_update_bulk": call(_update_bulk),
    "settings_delete_bulk": call(_delete_bulk),
    "settings_update_user_setting": call(_update_user_setting),
    "settings_get_calendar": call(_calendar),
    "settings_set_calendar": call(_set_calendar),
    "settings_get_license": call(_license),
    "settings_get_activity_settings": call(
        lambda ctx, a: {"ApiVersion": "2.0", "SignalR": {"url": None, "skipNegotiation": False}}
    ),
    "settings_get_authentication_settings": call(
        lambda ctx, a: _dictionary({"Auth.Password.MinimumLength": "8"})
    ),
    "settings_get_web_settings": call(
        lambda ctx, a: _dictionary({"Abp.Timing.TimeZone": "UTC", "App.UiTheme": "Light"})
    ),
    "settings_get_connection_string": call(lambda ctx, a: None),
    "settings_get_execution_settings_configuration_by_scope": call(_execution_settings),
    "settings_get_languages": call(
        lambda ctx, a: {
            "Items": [
                {
                    "Name": "en",
                    "DisplayName": "English",
                    "Icon": None,
                    "IsDefault": True,
                    "IsDisabled": False,
                },
            ]
        }
    ),
    "settings_get_timezones": call(lambda ctx, a: {"items": [{"Name": "UTC", "Value": "UTC"}]}),
    "settings_get_update_settings": call(
        lambda ctx, a: {
            "UpdateServerSource": "Orchestrator",
            "UpdateServerUrl": None,
            "PollingInterval": 0,
        }
    ),
    "settings_get_secure_store_configuration_by_storetypename": call(lambda ctx, a: []),
    # Status: the health probe answers anonymously (see responses.py), the host check reaches
    # nothing (no outbound calls): it answers that the mock cannot connect [I].
    "status_get": call(lambda ctx, a: None),
    "status_verify_host_availibility": call(
        lambda ctx, a: {
            "canConnect": False,
            "hasBadSsl": False,
            "connectionError": "uipath-mock: the mock makes no outbound connections.",
        }
    ),
}
