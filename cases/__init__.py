"""Cases and victims: the records a caller hears about, and how they arrive."""
