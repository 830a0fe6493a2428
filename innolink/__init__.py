"""InnoLink · 晋江创新对接平台."""
