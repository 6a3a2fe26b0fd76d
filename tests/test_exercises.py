from workshop_utils.exercises import check


def test_unanswered_is_neither_right_nor_wrong():
    result = check(..., expected=3)
    assert result.correct is None and "replace the ..." in str(result)


def test_right_and_wrong_numbers():
    assert check(3.0000001, expected=3)
    wrong = check(4, expected=3, hint="count the weights")
    assert not wrong and "count the weights" in repr(wrong)


def test_strings_ignore_case_and_predicates():
    assert check(" Single ", expected="single")
    assert check([1, 2], test=lambda a: sum(a) == 3)
    assert not check("x", test=lambda a: a + 1)  # a broken answer is wrong, not a crash
