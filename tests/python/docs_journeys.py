"""The journeys of Parlant's own documentation (parlant 3.3.2), built with the real SDK and dumped
from its stores (see sdk_dump.py). Transcribed from:

- `book-flight`: parlant.io, Concepts > Customization > Journeys, "Implementing the Journey"
  (docs/concepts/customization/journeys.md in emcie-co/parlant).
- `schedule-appointment` and `lab-results`: Parlant's healthcare agent example
  (examples/healthcare.py in emcie-co/parlant, used by the docs' healthcare walkthrough); the
  example's `triggers=` is 3.3.2's `conditions=`.

The tools are stand-ins with the docs' names (their bodies do not matter to the graph). No
`from __future__ import annotations`: the SDK reads the tools' annotations as types.

Usage: docs_journeys.py [--write DIR] <name>...  builds them in one server and prints
`{name: dump}`, or writes DIR/<name>.json (how fixtures/parlant-docs/ is made)."""


import json
import os
import sys
from datetime import datetime

import parlant.sdk as p

from sdk_dump import print_dump, run


@p.tool
async def load_popular_destinations(context: p.ToolContext) -> p.ToolResult:
    return p.ToolResult(["Paris", "Tokyo", "Lisbon"])


@p.tool
async def book_flight(context: p.ToolContext) -> p.ToolResult:
    return p.ToolResult("booked")


@p.tool
async def get_upcoming_slots(context: p.ToolContext) -> p.ToolResult:
    return p.ToolResult(["Monday 10 AM", "Tuesday 2 PM"])


@p.tool
async def get_later_slots(context: p.ToolContext) -> p.ToolResult:
    return p.ToolResult(["Next month"])


@p.tool
async def schedule_appointment(context: p.ToolContext, datetime: datetime) -> p.ToolResult:
    return p.ToolResult(f"scheduled {datetime}")


@p.tool
async def get_lab_results(context: p.ToolContext) -> p.ToolResult:
    return p.ToolResult({"report": "normal"})


async def book_flight_journey(agent: p.Agent) -> p.Journey:
    journey = await agent.create_journey(
        title="Book Flight",
        conditions=["The customer requested to book a flight"],
        description="This journey guides the customer through the flight booking process.",
    )
    ask = (await journey.initial_state.transition_to(chat_state="Ask if they have a destination in mind")).target
    dates = (await ask.transition_to(condition="They do", chat_state="Get dates of travel")).target
    load = (await ask.transition_to(condition="They don't", tool_state=load_popular_destinations)).target
    recommend = (await load.transition_to(chat_state="Recommend a destination")).target
    await recommend.transition_to(state=dates, condition="Destination selected")
    confirm = (await dates.transition_to(chat_state="Confirm details")).target
    book = (await confirm.transition_to(tool_state=book_flight)).target
    # The journey ends here: a state with no transition.
    await book.transition_to(chat_state="Provide ticket details")
    return journey


async def schedule_appointment_journey(agent: p.Agent) -> p.Journey:
    journey = await agent.create_journey(
        title="Schedule an Appointment",
        description="Helps the patient find a time for their appointment.",
        conditions=["The patient wants to schedule an appointment"],
    )
    reason = (await journey.initial_state.transition_to(chat_state="Determine the reason for the visit")).target
    slots = (await reason.transition_to(tool_state=get_upcoming_slots)).target
    offer = (await slots.transition_to(chat_state="List available times and ask which ones works for them")).target
    confirm = (await offer.transition_to(chat_state="Confirm the details with the patient before scheduling", condition="The patient picks a time")).target
    schedule = (await confirm.transition_to(tool_state=schedule_appointment, condition="The patient confirms the details")).target
    done = (await schedule.transition_to(chat_state="Confirm the appointment has been scheduled")).target
    await done.transition_to(state=p.END_JOURNEY)
    later = (await offer.transition_to(tool_state=get_later_slots, condition="None of those times work for the patient")).target
    offer_later = (await later.transition_to(chat_state="List later times and ask if any of them works")).target
    await offer_later.transition_to(state=confirm, condition="The patient picks a time")
    call = (
        await offer_later.transition_to(
            chat_state="Ask the patient to call the office to schedule an appointment",
            condition="None of those times work for the patient either",
        )
    ).target
    await call.transition_to(state=p.END_JOURNEY)
    await journey.create_guideline(
        condition="The patient says their visit is urgent",
        action="Tell them to call the office immediately",
    )
    return journey


async def lab_results_journey(agent: p.Agent) -> p.Journey:
    journey = await agent.create_journey(
        title="Lab Results",
        description="Retrieves the patient's lab results and explains them.",
        conditions=["The patient wants to see their lab results"],
    )
    results = (await journey.initial_state.transition_to(tool_state=get_lab_results)).target
    await results.transition_to(
        chat_state="Tell the patient that the results are not available yet, and to try again later",
        condition="The lab results could not be found",
    )
    await results.transition_to(
        chat_state="Explain the lab results to the patient - that they are normal",
        condition="The lab results are good - i.e., nothing to worry about",
    )
    await results.transition_to(
        chat_state="Present the results and ask them to call the office for clarifications on the results as you are not a doctor",
        condition="The lab results are not good - i.e., there's an issue with the patient's health",
    )
    return journey


JOURNEYS = {
    "book-flight": book_flight_journey,
    "schedule-appointment": schedule_appointment_journey,
    "lab-results": lab_results_journey,
}


if __name__ == "__main__":
    args = sys.argv[1:]
    target = None
    if args[:1] == ["--write"]:
        target, args = args[1], args[2:]
    dumps = dict(zip(args, run(*(JOURNEYS[name] for name in args))))
    if target is None:
        print_dump(dumps)
    else:
        for name, doc in dumps.items():
            with open(os.path.join(target, f"{name}.json"), "w", encoding="utf-8") as f:
                f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
