"""Parsing ``docker run`` lines: options, continuations, Markdown, anything at all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.collectors.docker_run import parse, scan_text


def test_options_switches_and_image() -> None:
    run = parse(
        "sudo docker run -d -u 0 -e A=1 --env=B=2 -v /a:/b --mount type=bind,src=/c,dst=/d"
        " --net=host -p 80:80 --privileged --rm img:1 sh -c 'echo -v x'",
        "f",
        1,
    )
    assert run.values("--user") == ["0"] and run.values("--env") == ["A=1", "B=2"]
    assert run.values("--volume") == ["/a:/b"] and run.values("--network") == ["host"]
    assert {"--privileged", "--rm", "-d"} <= run.switches and run.image == "img:1"
    assert "-v" not in run.options  # the command's own arguments are not docker's


def test_continuations_markdown_and_unbalanced_quotes() -> None:
    text = "intro\n```\ndocker run \\\n  --user root \\\n  img\n```\npodman run -it 'broken img\n"
    runs = scan_text(text, "README.md")
    assert [(r.line, r.values("--user"), r.image) for r in runs] == [
        (3, ["root"], "img"),
        (7, [], "'broken"),
    ]


@given(st.text(max_size=300))
def test_any_text_parses_without_error(text: str) -> None:
    for run in scan_text("docker run " + text, "x.sh"):
        assert run.line >= 1


@given(
    user=st.sampled_from(["root", "0", "1000:1000", "app"]),
    volumes=st.lists(st.from_regex(r"/[a-z]{1,8}:/[a-z]{1,8}", fullmatch=True), max_size=3),
)
def test_generated_commands_round_trip(user: str, volumes: list[str]) -> None:
    command = "docker run --user " + user + "".join(f" -v {v}" for v in volumes) + " img:1 cmd"
    run = parse(command, "f", 1)
    assert run.values("--user") == [user] and run.values("--volume") == volumes
    assert run.image == "img:1"
