"""Jinja2 templates of every Groovy script the controller sends to a master.

This is a package only so that an installed wheel carries the templates;
``controller.templates`` loads them from here. Nothing else lives here.
"""
