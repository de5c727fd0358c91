"""The unattended daily run: import waiting statements, check everything as of
today, warn of what only time brings, and mail what is new to those it concerns."""
