"""Installing the bot for a person who never opened it, so it can write to them first."""

from __future__ import annotations

import asyncio

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.user_scope_teams_app_installation import (
    UserScopeTeamsAppInstallation,
)
from msgraph.generated.users.item.teamwork.installed_apps.installed_apps_request_builder import (
    InstalledAppsRequestBuilder,
)

from graph.errors import error_reason
from services.graph_ports import GraphUnavailable


class GraphAppInstaller:
    def __init__(
        self, client: GraphServiceClient, base_url: str, catalog_app_id: str, timeout: float
    ) -> None:
        self._client = client
        self._timeout = timeout
        self._app_binding = f"{base_url}/appCatalogs/teamsApps/{catalog_app_id}"
        self._catalog_app_id = catalog_app_id

    async def install_for(self, aad_object_id: str) -> str:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._install(aad_object_id)
        except TimeoutError:
            raise GraphUnavailable(f"no answer within {self._timeout:g} s") from None

    async def _install(self, aad_object_id: str) -> str:
        apps = self._client.users.by_user_id(aad_object_id).teamwork.installed_apps
        installation = UserScopeTeamsAppInstallation(
            additional_data={"teamsApp@odata.bind": self._app_binding}
        )
        try:
            try:
                await apps.post(installation)
            except APIError as error:
                if error.response_status_code != 409:  # 409: installed already
                    raise
            # The POST answers 201 with no body: find the installation to reach its chat.
            query = InstalledAppsRequestBuilder.InstalledAppsRequestBuilderGetQueryParameters(
                filter=f"teamsApp/id eq '{self._catalog_app_id}'", expand=["teamsApp"]
            )
            found = await apps.get(RequestConfiguration(query_parameters=query))
            installed = [i for i in (found.value if found and found.value else []) if i.id]
            if not installed:
                raise GraphUnavailable("the app is not among the person's installed apps")
            chat = await apps.by_user_scope_teams_app_installation_id(
                str(installed[0].id)
            ).chat.get()
        except APIError as error:
            raise GraphUnavailable(error_reason(error)) from error
        except httpx.HTTPError as error:
            raise GraphUnavailable(type(error).__name__) from error
        if chat is None or not chat.id:
            raise GraphUnavailable("no chat for the installation")
        return chat.id
