"""The 诉求 service desk: requests from every channel, routing, SLA, cadres' visits, measures."""
