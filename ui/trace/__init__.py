"""The "Inside the model" page's tabs, one module each (the registry is ui/trace/tabs.py)."""
