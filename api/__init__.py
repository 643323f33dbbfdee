"""The public REST API (spec §14): a second entrypoint beside ui/, calling the same use
cases with the person a personal access token stands for."""
