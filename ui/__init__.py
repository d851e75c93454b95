"""Shared widgets: formatting, matrix tables, heatmaps, charts and the stage stepper."""
