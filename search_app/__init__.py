"""Query code shared by the command line and the web app."""
