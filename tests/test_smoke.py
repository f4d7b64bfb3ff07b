def test_demo_story_is_published(demo):
    assert demo.is_published
