"""Privacy: citizens only under pseudonymous ids; CPR-looking input found and never repeated."""
