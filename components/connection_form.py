"""The add / edit form of the Connections page: one field set per connection kind."""

from __future__ import annotations

import streamlit as st

from playground.connections import KIND_LABELS, Auth, Connection, Kind
from playground.secrets import Secret
from playground.settings import BEDROCK_REGIONS, PRESETS, default_region, openai_connection_name, preset_url
from playground.url_policy import check_base_url

AUTH_LABELS = {
    Auth.DEFAULT_CHAIN: "Default AWS chain (environment, profile, SSO, instance role)",
    Auth.PROFILE: "Named profile",
    Auth.KEYS: "Access keys",
    Auth.API_KEY: "Bedrock API key",
}


def _secret(label: str, key: str, existing: Secret | None, help: str | None = None) -> Secret | None:
    """A password field that never shows a stored key back: blank keeps it, text replaces it."""
    placeholder = f"stored ({existing.masked()}): leave blank to keep" if existing else ""
    typed = st.text_input(label, type="password", key=key, placeholder=placeholder, help=help)
    return Secret(typed.strip()) if typed.strip() else existing


def _held_by_server(base: Connection | None) -> bool:
    return base is not None and base.source in ("env", "secrets")


def _aws_fields(kind: Kind, base: Connection | None, prefix: str) -> dict:
    regions = list(dict.fromkeys([default_region(), *BEDROCK_REGIONS]))
    index = regions.index(base.region) if base and base.region in regions else 0
    region = st.selectbox("Region", regions, index=index, key=f"{prefix}-region", accept_new_options=True)
    endpoint_url = (
        st.text_input(
            "Endpoint URL override (optional)",
            value=(base.endpoint_url if base else "") or "",
            key=f"{prefix}-endpoint-url",
            help="For VPC endpoints or a local test server; empty uses AWS's regional endpoint.",
        ).strip()
        or None
    )
    # Keys the server holds go only to the endpoint they were configured with.
    kept = base if base and not (_held_by_server(base) and endpoint_url != base.endpoint_url) else None
    auths = [Auth.DEFAULT_CHAIN, Auth.PROFILE, Auth.KEYS] + ([Auth.API_KEY] if kind != Kind.SAGEMAKER else [])
    index = auths.index(base.auth) if base and base.auth in auths else 0
    auth = st.radio("Credentials", auths, format_func=AUTH_LABELS.get, index=index, key=f"{prefix}-auth")
    fields: dict = {"region": region, "auth": auth, "endpoint_url": endpoint_url}
    if auth == Auth.PROFILE:
        profile = st.text_input("Profile", value=(base.profile if base else "") or "", key=f"{prefix}-profile")
        fields["profile"] = profile.strip() or None
    elif auth == Auth.KEYS:
        akid = st.text_input("Access key ID", value=(base.access_key_id if base else "") or "", key=f"{prefix}-akid")
        fields["access_key_id"] = akid.strip() or None
        fields["secret_access_key"] = _secret(
            "Secret access key", f"{prefix}-sak", kept.secret_access_key if kept else None
        )
        fields["session_token"] = _secret(
            "Session token (optional)", f"{prefix}-st", kept.session_token if kept else None
        )
    elif auth == Auth.API_KEY:
        fields["api_key"] = _secret(
            "Bedrock API key",
            f"{prefix}-apikey",
            kept.api_key if kept else None,
            help="Short-term keys only work in the region that issued them. Kept on the server for this session only.",
        )
    if kind == Kind.SAGEMAKER:
        fields["endpoint_name"] = _endpoint_name(prefix, base, fields)
    return fields


def _endpoint_name(prefix: str, base: Connection | None, fields: dict) -> str | None:
    found_key = f"{prefix}-found-endpoints"
    name = st.text_input("Endpoint name", value=(base.endpoint_name if base else "") or "", key=f"{prefix}-endpoint")
    if st.button("Find InService endpoints", key=f"{prefix}-discover", icon="🔎"):
        from playground.providers.aws import list_sagemaker_endpoints

        draft = Connection(name="draft", kind=Kind.SAGEMAKER, **fields)
        found = list_sagemaker_endpoints(draft)
        st.session_state[found_key] = list(found.ids)
        if found.message:
            st.caption(f"ℹ️ {found.message}")
    if st.session_state.get(found_key):
        picked = st.selectbox("InService endpoints", st.session_state[found_key], key=f"{prefix}-picked")
        return picked
    return name.strip() or None


def connection_form(prefix: str, base: Connection | None = None) -> Connection | None:
    """Render the fields; return the connection the user described, or None if it is not valid yet."""
    kinds = list(Kind)
    kind = st.selectbox(
        "Kind",
        kinds,
        format_func=KIND_LABELS.get,
        index=kinds.index(base.kind) if base else 0,
        key=f"{prefix}-kind",
        disabled=base is not None,
    )
    name = st.text_input("Name", value=base.name if base else "", key=f"{prefix}-name").strip()
    fields: dict = {}
    if kind == Kind.OPENAI:
        preset = st.selectbox("Preset", ["Custom", *PRESETS], key=f"{prefix}-preset")
        region = default_region()
        if preset.startswith("Bedrock"):
            region = st.selectbox("Region", list(dict.fromkeys([region, *BEDROCK_REGIONS])), key=f"{prefix}-oregion")
        suggested = preset_url(preset, region) if preset != "Custom" else (base.base_url if base else "")
        base_url = st.text_input(
            "Base URL",
            value=suggested or "",
            key=f"{prefix}-url-{preset}-{region}",
            placeholder="http://localhost:8000/v1",
        ).strip()
        # A key the server holds stays bound to its own URL: a changed URL needs a key typed here.
        keep = base.api_key if base and (base.base_url == base_url or not _held_by_server(base)) else None
        fields = {"base_url": base_url, "api_key": _secret("API key", f"{prefix}-key", keep)}
        name = name or (openai_connection_name(base_url) if base_url else "")
    elif kind == Kind.LOCAL:
        fields = {
            "model_path": st.text_input(
                "GGUF file", value=(base.model_path if base else "") or "", key=f"{prefix}-gguf"
            ).strip()
            or None
        }
    else:
        fields = _aws_fields(kind, base, prefix)
    return _validated(kind, name or KIND_LABELS[kind], fields, base)


def _validated(kind: Kind, name: str, fields: dict, base: Connection | None) -> Connection | None:
    if kind == Kind.LOCAL and fields.get("model_path") and not fields["model_path"].endswith(".gguf"):
        st.caption("⚠️ The local model must be a .gguf file.")
        return None
    if kind == Kind.OPENAI:
        problem = check_base_url(fields["base_url"]) if fields["base_url"] else "Enter a base URL."
        if problem:
            st.caption(f"⚠️ {problem}")
            return None
    if kind == Kind.SAGEMAKER and not fields.get("endpoint_name"):
        st.caption("⚠️ Enter the SageMaker endpoint name.")
        return None
    missing = {
        Auth.API_KEY: ("api_key",),
        Auth.KEYS: ("access_key_id", "secret_access_key"),
        Auth.PROFILE: ("profile",),
    }.get(fields.get("auth"), ())
    if any(not fields.get(name) for name in missing):
        needs = {
            "api_key": "the Bedrock API key",
            "access_key_id": "the access key ID",
            "secret_access_key": "the secret access key",
            "profile": "the profile name",
        }
        st.caption("⚠️ Enter " + " and ".join(needs[n] for n in missing if not fields.get(n)) + ".")
        return None
    if base is not None:
        return base.with_(name=name, **fields, source="user")
    return Connection(name=name, kind=kind, **fields)
