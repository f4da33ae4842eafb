"""The status page: its document, its rendering, its endpoints and the page in headless Chromium."""
