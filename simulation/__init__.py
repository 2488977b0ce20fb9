"""`helpline simulate`: a day at the desk, driven through the real stack, against a plain queue."""
