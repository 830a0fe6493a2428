"""气象+: CAP warnings turned into targeted notices for exposed enterprises; forecasts."""
