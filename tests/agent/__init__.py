"""Tests of the resident agent and its master client, against the Jenkins double."""
