from .knowledge import Article
from .queues import Queue, SlaTarget
from .surveys import Survey
from .tickets import Ticket, TicketEvent

__all__ = ["Article", "Queue", "SlaTarget", "Survey", "Ticket", "TicketEvent"]
