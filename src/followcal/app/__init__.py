"""The use cases behind the commands: one read-and-plan path (pipeline), sync, export, serve, outcomes, replies."""
