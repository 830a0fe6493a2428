import re


def test_api_docs_load_every_asset_from_the_platform(client):
    """The intranet has no CDN: Swagger UI's script and style come from our static files."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in a for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
