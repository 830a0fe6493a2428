"""Signed projects: computed status with its reasons, reporting periods and the city measures
(履约率, 开工率, 投产率, 资金到位率, target attainment). Pure Python; never imports Django."""
