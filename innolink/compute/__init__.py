"""产业AI算力服务: compute offers, bookings, usage, 算力券 and the AI scenario catalogue."""
