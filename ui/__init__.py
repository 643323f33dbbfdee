"""NiceGUI pages: the agent panel and the customer portal over one page frame.

Pages call use cases through `ui.context.call`; none touches the database."""
