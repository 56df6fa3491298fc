"""Developer scripts; a package so `python -m scripts.build_app_package` works."""
