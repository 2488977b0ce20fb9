"""An offline Twilio Voice emulator that plays Twilio's part against a Helpline web app."""

from emulator.call import EmulatedCall
from emulator.core import Emulator
from emulator.people import Action, Caller, Party

__all__ = ["Action", "Caller", "EmulatedCall", "Emulator", "Party"]
