"""Personal data: export for access requests and erasure under the retention rule."""
