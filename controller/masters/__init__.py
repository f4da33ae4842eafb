"""Everything about Jenkins masters: the agent client, the view kept of each
master from inventory and events, and the session that keeps that view
current."""
