"""`civscore batch` and `civscore history`: score a whole intake."""
