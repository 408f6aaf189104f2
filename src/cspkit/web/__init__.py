"""The partnership web app (Django). The library never imports this package."""
