"""Pure engines of the challenge board (no Django): reading indicator targets as real
listings write them (:mod:`.target_parse`)."""
