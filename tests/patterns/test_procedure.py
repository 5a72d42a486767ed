"""procedure: steps in order, without numbering, intro or closing lines."""

from ..conftest import mine_exchange


def procs(user, reply):
    return mine_exchange(user, reply, "procedure")


def test_numbered_steps_with_inline_code_and_colons():
    reply = (
        "Here's the standard way:\n\n"
        "1. Open a terminal in your project folder.\n"
        "2. Create the environment with `python3 -m venv .venv`.\n"
        "3. Activate it: `source .venv/bin/activate` on Linux.\n\n"
        "Let me know if you need more help!"
    )
    assert procs("How do I set up a virtual environment?", reply) == [
        {
            "task": "set up a virtual environment",
            "steps": [
                "Open a terminal in your project folder.",
                "Create the environment with `python3 -m venv .venv`.",
                "Activate it: `source .venv/bin/activate` on Linux.",
            ],
        }
    ]


def test_nested_bullets_fold_into_their_parent_and_code_joins_its_step():
    reply = (
        "1. **Gather evidence** from logs.\n"
        "   - Note the timestamps.\n"
        "2. Add this line:\n"
        "   ```\n"
        "   0 2 * * * run.sh\n"
        "   ```\n"
        "3. Save and close the editor."
    )
    [proc] = procs("How do I schedule it?", reply)
    assert proc["steps"] == [
        "Gather evidence from logs. Note the timestamps.",
        "Add this line: `0 2 * * * run.sh`",
        "Save and close the editor.",
    ]


def test_prose_first_next_then_finally():
    reply = (
        "First, add up your monthly costs. Next, open a savings account. "
        "Then set up an automatic transfer. Finally, put windfalls into the fund."
    )
    assert procs("How do I build an emergency fund?", reply) == [
        {
            "task": "build an emergency fund",
            "steps": [
                "Add up your monthly costs.",
                "Open a savings account.",
                "Set up an automatic transfer.",
                "Put windfalls into the fund.",
            ],
        }
    ]


def test_lists_of_facts_causes_or_calculations_are_not_procedures():
    causes = "1. The application crashes on startup.\n2. The probe fails too early.\n3. The container runs out of memory."
    assert procs("Why does my pod crash?", causes) == []
    facts = "- Training loss keeps falling\n- A large gap between training and test accuracy\n- Wild predictions"
    assert procs("How do I spot overfitting?", facts) == []
    sums = "1. Total: 5 kg × 7,700 kcal = 38,500 kcal.\n2. Per day: 38,500 ÷ 500 = 77 days.\n3. Weeks: 77 ÷ 7 = 11."
    assert procs("How long will it take?", sums) == []
    problems = "1. 2 x 3 = ?\n2. 8 x 7 = ?\n3. 5 x 9 = ?"
    assert procs("Generate 3 multiplication problems", problems) == []


def test_prose_enumerating_reasons_is_not_a_procedure():
    reply = "First, the internet gives access to information. Second, it connects people. Finally, it helps business."
    assert procs("Explain why the internet matters.", reply) == []


def test_unrequested_labelled_options_are_not_steps():
    reply = "1. Report the incident: one option is to tell the police.\n2. Return the money: another option.\n3. Resign: a third option."
    assert procs("Provide multiple solutions for the dilemma.", reply) == []


def test_an_unmarked_action_between_marked_steps_is_a_step():
    reply = (
        "First, rinse the rice until the water runs clear. Then add two cups of water per cup. "
        "Cover the pot with a tight lid. It helps to use a heavy pot. "
        "Finally, simmer for 18 minutes. Enjoy it warm!"
    )
    assert procs("How do I cook rice?", reply) == [
        {
            "task": "cook rice",
            "steps": [
                "Rinse the rice until the water runs clear.",
                "Add two cups of water per cup.",
                "Cover the pot with a tight lid.",
                "Simmer for 18 minutes.",
            ],
        }
    ]


def test_code_flush_left_between_numbered_steps_belongs_to_the_step_before():
    reply = (
        "1) Open your crontab with `crontab -e`.\n"
        "2) Add a line like this:\n\n"
        "```\n0 3 * * * /home/me/backup.sh\n```\n\n"
        "3) Save and close the editor.\n"
        "4) Check it with `crontab -l`.\n\n"
        "Make sure the script is executable."
    )
    assert procs("How do I set up a cron job?", reply) == [
        {
            "task": "set up a cron job",
            "steps": [
                "Open your crontab with `crontab -e`.",
                "Add a line like this: `0 3 * * * /home/me/backup.sh`",
                "Save and close the editor.",
                "Check it with `crontab -l`.",
            ],
        }
    ]


def test_it_in_the_task_is_the_thing_the_user_asked_about():
    reply = "- Drain the pipes.\n- Insulate exposed pipes.\n- Keep the heating on at night."
    [found] = procs("What is pipe freezing and how do I prevent it?", reply)
    assert found["task"] == "prevent pipe freezing"
    assert found["steps"] == [
        "Drain the pipes.",
        "Insulate exposed pipes.",
        "Keep the heating on at night.",
    ]


def test_numbered_headings_over_a_paragraph_each_are_steps():
    reply = (
        "## Steps\n\n### 1. Create a Procfile\n\nAdd `web: gunicorn app:app` to it.\n\n"
        "### 2. Freeze the requirements\n\n```bash\npip freeze > requirements.txt\n```\n\n"
        "### 3. Deploy\n\nRun `git push heroku main`.\n\nThat's it: the app is live."
    )
    assert procs("How do I deploy a Flask app to Heroku?", reply) == [
        {
            "task": "deploy a Flask app to Heroku",
            "steps": [
                "Create a Procfile: Add `web: gunicorn app:app` to it.",
                "Freeze the requirements: \n```\npip freeze > requirements.txt\n```",
                "Deploy: Run `git push heroku main`.",
            ],
        }
    ]
    # numbered headings that name facts are no procedure
    facts = "### 1. Financial crisis\n\nDebt.\n\n### 2. Inequality\n\nTaxes.\n\n### 3. New ideas\n\nRousseau."
    assert procs("What caused the French Revolution?", facts) == []


def test_a_how_to_answered_by_a_paragraph_of_commands():
    reply = (
        "Rinse a cup of rice. Put it in a pot with 1.5 cups of water. "
        "Simmer for 15 minutes, then let it rest. Fluff it with a fork."
    )
    assert procs("How do I cook rice?", reply) == [
        {
            "task": "cook rice",
            "steps": [
                "Rinse a cup of rice.",
                "Put it in a pot with 1.5 cups of water.",
                "Simmer for 15 minutes, then let it rest.",
                "Fluff it with a fork.",
            ],
        }
    ]
    # unasked, or with a sentence that is no command, it is no procedure
    assert procs("Tell me about rice.", reply) == []
    assert procs("How do I cook rice?", "Rice is easy. Rinse it. Boil it. Drain it.") == []


def test_a_paragraph_of_commands_may_carry_sequence_words():
    reply = (
        "Click on the gear icon. Choose Accounts from the menu. Then press Add account. "
        "Finally, sign in with your work e-mail."
    )
    assert mine_exchange("How do I add a work account?", reply, "procedure") == [
        {
            "task": "add a work account",
            "steps": [
                "Click on the gear icon.",
                "Choose Accounts from the menu.",
                "Press Add account.",
                "Sign in with your work e-mail.",
            ],
        }
    ]


def test_a_noun_like_verb_before_on_opens_a_command():
    from loomcore.text.lexicon import starts_imperative

    assert starts_imperative("Park on level ground and set the brake.")
    assert not starts_imperative("Parking on the street is free after six.")


def test_a_command_after_a_fronted_time_is_a_step_between_marked_ones():
    reply = (
        "First, research the market rate for the role. Then, wait for the company to make "
        "the first offer. When you counter, ask for 10% above their offer. "
        "Finally, get the final offer in writing."
    )
    found = mine_exchange("How do I negotiate a higher salary?", reply, "procedure")
    assert found == [
        {
            "task": "negotiate a higher salary",
            "steps": [
                "Research the market rate for the role.",
                "Wait for the company to make the first offer.",
                "When you counter, ask for 10% above their offer.",
                "Get the final offer in writing.",
            ],
        }
    ]


def test_list_items_that_open_with_a_condition_are_still_actions():
    reply = (
        "1. Press a rubber band between the screwdriver and the screw head, and turn slowly.\n"
        "2. If that fails, tap a larger bit into the head with a hammer.\n"
        "3. As a last resort, use a screw extractor."
    )
    found = mine_exchange("How do I remove a stripped screw?", reply, "procedure")
    assert found == [
        {
            "task": "remove a stripped screw",
            "steps": [
                "Press a rubber band between the screwdriver and the screw head, and turn slowly.",
                "If that fails, tap a larger bit into the head with a hammer.",
                "As a last resort, use a screw extractor.",
            ],
        }
    ]
