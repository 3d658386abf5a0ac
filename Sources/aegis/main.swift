import AegisAdmin
